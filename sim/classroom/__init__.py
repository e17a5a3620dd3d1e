"""The classroom: teams compete in one market, an instructor runs the rounds. The class file
(`store`: SQLite), its join codes (`codes`) and the debrief (`debrief`: HTML and SVG)."""
