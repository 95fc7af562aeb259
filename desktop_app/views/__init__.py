"""Qt widgets and item models: the main window, the reader and the side panels."""
