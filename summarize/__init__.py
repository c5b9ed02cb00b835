"""Pure text tools for ZoneBrief: page splitting, zone names, Chinese sentences, TextRank summaries."""
