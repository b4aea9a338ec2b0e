"""Import formats: pure readers that turn other tools' files (and our own exports) into
plain records for the services to store."""
