"""The platform's protected proper nouns: names the 繁體 conversion must leave as written."""
