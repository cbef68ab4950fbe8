build/lib/csvout.o: pipeline/lib/csvout.c include/csvout.h include/err.h
include/csvout.h:
include/err.h:
