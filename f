k1
RO
access
k2
OW
update
