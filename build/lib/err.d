build/lib/err.o: pipeline/lib/err.c include/err.h
include/err.h:
