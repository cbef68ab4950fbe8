build/lib/num.o: pipeline/lib/num.c include/num.h
include/num.h:
