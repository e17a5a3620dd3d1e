"""The measurement lab: a game's data as an analyst would get it, and the truth behind it.

sim.lab.export   one firm's days, leads and cohorts as CSV files (`jigsaw lab export`)
"""
