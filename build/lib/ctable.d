build/lib/ctable.o: pipeline/lib/ctable.c include/ctable.h include/err.h \
 include/csvin.h
include/ctable.h:
include/err.h:
include/csvin.h:
