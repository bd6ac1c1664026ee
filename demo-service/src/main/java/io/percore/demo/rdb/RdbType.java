package io.percore.demo.rdb;

/**
 * The object type bytes of Redis's RDB format ({@code rdb.h}) that open a DUMP payload, and the
 * payload's version: Redis 7.0 writes RDB version 10 and accepts nothing newer.
 */
final class RdbType {

    static final int RDB_VERSION = 10;

    static final int STRING = 0;
    static final int LIST = 1;
    static final int SET = 2;
    static final int ZSET = 3;
    static final int HASH = 4;
    static final int ZSET_2 = 5;
    static final int MODULE = 6;
    static final int MODULE_2 = 7;
    static final int HASH_ZIPMAP = 9;
    static final int LIST_ZIPLIST = 10;
    static final int SET_INTSET = 11;
    static final int ZSET_ZIPLIST = 12;
    static final int HASH_ZIPLIST = 13;
    static final int LIST_QUICKLIST = 14;
    static final int STREAM_LISTPACKS = 15;
    static final int HASH_LISTPACK = 16;
    static final int ZSET_LISTPACK = 17;
    static final int LIST_QUICKLIST_2 = 18;
    static final int STREAM_LISTPACKS_2 = 19;

    /** Length prefixes (rdbSaveLen): the top two bits of the first byte say how the length follows. */
    static final int LEN_6BIT = 0;
    static final int LEN_14BIT = 1;
    static final int LEN_32BIT = 0x80;
    static final int LEN_64BIT = 0x81;
    /** A string in a special encoding: the low six bits say which. */
    static final int ENCVAL = 3;
    static final int ENC_INT8 = 0;
    static final int ENC_INT16 = 1;
    static final int ENC_INT32 = 2;
    static final int ENC_LZF = 3;

    /** Quicklist node containers in LIST_QUICKLIST_2. */
    static final int CONTAINER_PLAIN = 1;
    static final int CONTAINER_PACKED = 2;

    private RdbType() {
    }
}
