package io.percore.demo.rdb;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Function libraries in Redis's RDB form (rdb.c's {@code rdbSaveFunctions}): each library's code
 * after the opcode {@code 0xF5} ({@code RDB_OPCODE_FUNCTION2}), as RDB files hold them before the
 * keys, and FUNCTION DUMP's payload: those entries, then the RDB version and a CRC-64, as a key's
 * DUMP ends ({@code functionDumpCommand}, {@code functionRestoreCommand}).
 */
public final class FunctionPayload {

    private FunctionPayload() {
    }

    /** The RDB entries of {@code codes}: what a snapshot writes after its auxiliary fields. */
    public static byte[] entries(List<byte[]> codes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] code : codes) {
            out.write(RdbFileWriter.OPCODE_FUNCTION2);
            byte[] s = DumpWriter.string(code);
            out.write(s, 0, s.length);
        }
        return out.toByteArray();
    }

    /** FUNCTION DUMP's payload of {@code codes}. */
    public static byte[] dump(List<byte[]> codes) {
        byte[] entries = entries(codes);
        byte[] out = java.util.Arrays.copyOf(entries, entries.length + 10);
        out[entries.length] = (byte) (RdbType.RDB_VERSION & 0xff);
        out[entries.length + 1] = (byte) ((RdbType.RDB_VERSION >>> 8) & 0xff);
        long crc = Crc64.update(0, out, 0, entries.length + 2);
        for (int i = 0; i < 8; i++) {
            out[entries.length + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    /**
     * The libraries' code in a FUNCTION RESTORE payload.
     *
     * @param maxCodeBytes the longest library code to admit (an LZF string may expand past the payload's size)
     * @throws BadPayloadException with Redis's error text
     */
    public static List<byte[]> parse(byte[] payload, long maxCodeBytes) {
        if (!RdbReader.footerValid(payload)) {
            throw new BadPayloadException("DUMP payload version or checksum are wrong");
        }
        RdbReader in = RdbReader.over(payload, 0, new RdbReader.Limits(maxCodeBytes, bytes -> { },
                io.percore.demo.kv.ZSetValue.Limits.DEFAULT, io.percore.demo.kv.HashValue.Limits.DEFAULT, io.percore.demo.kv.SetValue.Limits.DEFAULT));
        List<byte[]> codes = new ArrayList<>();
        while (payload.length - in.position() > 10) {
            int type;
            try {
                type = in.nextByte();
            } catch (BadPayloadException e) {
                throw new BadPayloadException("can not read data type");
            }
            if (type == RdbFileWriter.OPCODE_FUNCTION) {
                throw new BadPayloadException("Pre-GA function format not supported");
            }
            if (type != RdbFileWriter.OPCODE_FUNCTION2) {
                throw new BadPayloadException("given type is not a function");
            }
            try {
                codes.add(in.nextString());
            } catch (BadPayloadException e) {
                throw new BadPayloadException("failed loading the given functions payload");
            }
        }
        return codes;
    }
}
