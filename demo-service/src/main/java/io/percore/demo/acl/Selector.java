package io.percore.demo.acl;

import io.percore.demo.kv.GlobPattern;
import java.util.Arrays;
import java.util.List;

/**
 * One set of permissions of a user (Redis 7's {@code aclSelector}): the commands it may run (a bit per
 * catalog command, plus Redis's reserved bit for commands to come, which only {@code +@all} sets), the
 * first arguments it allows of commands it otherwise may not run ({@code +select|0}), its key patterns
 * with read and write apart, and its channel patterns. A user has a root selector and any number of
 * others; a command is allowed when one of them allows it. Immutable: a {@link SelectorDraft} makes
 * the next one.
 */
public final class Selector {

    /** A key pattern's permissions ({@code ACL_READ_PERMISSION}, {@code ACL_WRITE_PERMISSION}). */
    static final int READ = 1;
    static final int WRITE = 2;
    static final int READ_WRITE = READ | WRITE;

    /** A key pattern ({@code ~}, {@code %R~}, {@code %W~}, {@code %RW~}) and what it permits. */
    record KeyPattern(String pattern, int permissions, GlobPattern glob) {

        KeyPattern(String pattern, int permissions) {
            this(pattern, permissions, new GlobPattern(Bytes.bytes(pattern)));
        }

        /** Redis's {@code stringmatchlen}: an empty name matches only the empty pattern. */
        boolean matches(byte[] key) {
            return key.length == 0 ? pattern.isEmpty() : glob.matches(key);
        }

        /** How ACL LIST and GETUSER write it ({@code sdsCatPatternString}). */
        String text() {
            return (permissions == READ_WRITE ? "~" : permissions == READ ? "%R~" : "%W~") + pattern;
        }
    }

    /** A channel pattern ({@code &}). */
    record ChannelPattern(String pattern, GlobPattern glob) {

        ChannelPattern(String pattern) {
            this(pattern, new GlobPattern(Bytes.bytes(pattern)));
        }

        /**
         * Redis's {@code ACLCheckChannelAgainstList} for one pattern: a channel is matched against it,
         * a PSUBSCRIBE pattern compared with it as text ({@code strcmp}).
         */
        boolean matches(byte[] channel, boolean literally) {
            if (literally) {
                return pattern.equals(Bytes.cString(Bytes.text(channel)));
            }
            return channel.length == 0 ? pattern.isEmpty() : glob.matches(channel);
        }
    }

    final boolean root;
    final boolean allKeys;
    final boolean allChannels;
    /** Redis's {@code SELECTOR_FLAG_ALLCOMMANDS}: set by {@code +@all}, cleared by any command taken away. */
    final boolean allCommands;
    /** Redis's reserved command bit: {@code +@all} (not {@code +} of every command) also allows commands to come. */
    final boolean futureCommands;
    final long[] allowed;
    /** Per command id, the first arguments allowed while its bit is clear; null when there are none at all. */
    final String[][] firstArgs;
    final KeyPattern[] patterns;
    final ChannelPattern[] channels;

    Selector(boolean root, boolean allKeys, boolean allChannels, boolean allCommands, boolean futureCommands, long[] allowed,
             String[][] firstArgs, List<KeyPattern> patterns, List<ChannelPattern> channels) {
        this.root = root;
        this.allKeys = allKeys;
        this.allChannels = allChannels;
        this.allCommands = allCommands;
        this.futureCommands = futureCommands;
        this.allowed = allowed;
        this.firstArgs = firstArgs;
        this.patterns = patterns.toArray(new KeyPattern[0]);
        this.channels = channels.toArray(new ChannelPattern[0]);
    }

    /** Whether command {@code id}'s bit is set. */
    boolean allows(int id) {
        return (allowed[id >>> 6] & (1L << id)) != 0;
    }

    /** Whether the selector may run every command on every key and channel: no check needed. */
    boolean unrestricted() {
        return allCommands && allKeys && allChannels;
    }

    /** The same commands, keys and channels (first arguments in order). */
    boolean samePermissions(Selector other) {
        return root == other.root && allKeys == other.allKeys && allChannels == other.allChannels && allCommands == other.allCommands
                && futureCommands == other.futureCommands && Arrays.equals(allowed, other.allowed)
                && Arrays.deepEquals(firstArgs, other.firstArgs) && Arrays.equals(patterns(), other.patterns())
                && Arrays.equals(channelTexts(), other.channelTexts());
    }

    private String[] patterns() {
        return Arrays.stream(patterns).map(KeyPattern::text).toArray(String[]::new);
    }

    String[] channelTexts() {
        return Arrays.stream(channels).map(ChannelPattern::pattern).toArray(String[]::new);
    }
}
