build/lib/diag.o: pipeline/lib/diag.c include/diag.h include/err.h \
 include/csvout.h
include/diag.h:
include/err.h:
include/csvout.h:
