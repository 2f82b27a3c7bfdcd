"""One writer per format of the sample case, each returning the file's bytes from ``samples.story``."""
