"""Search: messages found by the words they contain, among the rooms a user may read."""
