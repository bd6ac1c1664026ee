package io.percore.demo.network;

import io.netty.channel.Channel;
import io.percore.demo.command.RespSession;

/**
 * One client's line of CLIENT LIST and CLIENT INFO, with Redis 7.0.15's fields in its order
 * ({@code catClientInfoString}), then {@code lib-name} and {@code lib-ver} (CLIENT SETINFO, as Redis 7.2
 * appends them) and {@code shard}. Each field holds what this server knows of the connection: the
 * figures Redis has and this server does not (a per-client reply buffer, a query buffer
 * of its own; see the README) are zeros or their defaults. Built on the connection's shard.
 */
public final class ClientInfo {

    private ClientInfo() {
    }

    public static String line(RespConnection c, long nowNanos) {
        RespSession s = c.session();
        Channel channel = c.channelContext().channel();
        byte[][] running = c.running().argv();
        long qbuf = 0;
        long argvMem = 0;
        if (running != null) {
            // the command being run is what its query buffer holds (the decoder keeps the rest to itself)
            qbuf = digits(running.length) + 3;
            for (byte[] arg : running) {
                argvMem += arg.length;
                qbuf += 1 + digits(arg.length) + 2 + arg.length + 2;
            }
        }
        // and what it read and has not run yet: the decoder's buffer, commands held back or in flight
        qbuf += c.limits().queryBytes();
        long omem = c.limits().outputBytes();
        StringBuilder b = new StringBuilder(320);
        b.append("id=").append(s.id())
                .append(" addr=").append(c.remoteAddress())
                .append(" laddr=").append(c.localAddress())
                .append(" fd=").append(fd(channel))
                .append(" name=").append(s.name == null ? "" : s.name)
                .append(" age=").append((nowNanos - s.createdNanos()) / 1_000_000_000L)
                .append(" idle=").append(c.idleNanos(nowNanos) / 1_000_000_000L)
                .append(" flags=").append(flags(c))
                .append(" db=").append(s.db)
                .append(" sub=").append(s.channels())
                .append(" psub=").append(s.patterns())
                .append(" ssub=").append(s.shardChannels())
                .append(" multi=").append(s.multi == null ? -1 : s.multi.commands().size())
                .append(" qbuf=").append(qbuf)
                .append(" qbuf-free=0")
                .append(" argv-mem=").append(argvMem)
                .append(" multi-mem=").append(s.multi == null ? 0 : s.multi.queuedBytes())
                .append(" rbs=0 rbp=0")
                .append(" obl=0")
                .append(" oll=").append(c.pendingReplies())
                .append(" omem=").append(omem)
                .append(" tot-mem=").append(c.memoryBytes() + argvMem)
                .append(" events=").append(channel.config().isAutoRead() ? "r" : "").append(omem > 0 ? "w" : "")
                .append(" cmd=").append(c.running().lastName())
                .append(" user=").append(s.user == null ? "(superuser)" : s.user.name())
                .append(" redir=").append(s.tracking == null ? -1 : s.tracking.redirect())
                .append(" resp=").append(s.resp3 ? 3 : 2)
                .append(" lib-name=").append(s.libName == null ? "" : s.libName)
                .append(" lib-ver=").append(s.libVersion == null ? "" : s.libVersion)
                .append(" shard=").append(c.shard().id());
        return b.toString();
    }

    /** Redis's flag letters, in its order; N for none. */
    static String flags(RespConnection c) {
        ClientFlags flags = c.flags();
        RespSession s = c.session();
        StringBuilder f = new StringBuilder(4);
        if (c.replica()) {
            f.append('S');
        }
        if (flags.monitoring()) {
            f.append('O');
        }
        if (s.subscribed()) {
            f.append('P');
        }
        if (s.multi != null) {
            f.append('x');
        }
        if (flags.paused() || s.blocked) {
            f.append('b');
        }
        if (s.tracking != null) {
            f.append('t');
            if (s.tracking.brokenRedirect()) {
                f.append('R');
            }
            if (s.tracking.bcast()) {
                f.append('B');
            }
        }
        if (flags.closeAfterReply()) {
            f.append('c');
        }
        if (flags.noEvict()) {
            f.append('e');
        }
        return f.length() == 0 ? "N" : f.toString();
    }

    /** The socket's file descriptor on the native transports, -1 on NIO (which does not expose it). */
    private static int fd(Channel channel) {
        if (channel instanceof io.netty.channel.unix.UnixChannel unix) {
            return unix.fd().intValue();
        }
        return -1;
    }

    private static int digits(long n) {
        return Long.toString(n).length();
    }
}
