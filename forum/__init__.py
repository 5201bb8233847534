"""A moderated, threaded, trilingual (English, Arabic, Persian) discussion forum."""
