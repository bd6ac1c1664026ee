package io.percore.demo.acl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The channels a user's subscribers may keep after its rules changed (Redis's
 * {@code ACLKillPubsubClientsIfNeeded}): none to check when a selector still allows every channel or
 * every pattern the user had is still there; otherwise the union of its selectors' channel patterns,
 * against which each subscriber of the user is checked (its channels and shard channels matched, its
 * patterns compared literally), and closed when one fails.
 */
public final class ChannelGrant {

    private final List<Selector.ChannelPattern> patterns;

    private ChannelGrant(List<Selector.ChannelPattern> patterns) {
        this.patterns = patterns;
    }

    /** What {@code after} leaves of {@code before}'s channels, or null when no subscriber can have lost one. */
    public static ChannelGrant revoked(User before, User after) {
        List<Selector.ChannelPattern> upcoming = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        for (Selector s : after.selectors()) {
            if (s.allChannels) {
                return null;
            }
            for (Selector.ChannelPattern p : s.channels) {
                upcoming.add(p);
                texts.add(p.pattern());
            }
        }
        for (Selector s : before.selectors()) {
            if (s.allChannels) {
                return new ChannelGrant(upcoming);
            }
            for (Selector.ChannelPattern p : s.channels) {
                if (!texts.contains(p.pattern())) {
                    return new ChannelGrant(upcoming);
                }
            }
        }
        return null;
    }

    /** Whether a subscriber may stay subscribed to {@code channel} (or shard channel). */
    public boolean allowsChannel(byte[] channel) {
        for (Selector.ChannelPattern p : patterns) {
            if (p.matches(channel, false)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a subscriber may keep its pattern subscription {@code pattern}. */
    public boolean allowsPattern(byte[] pattern) {
        for (Selector.ChannelPattern p : patterns) {
            if (p.matches(pattern, true)) {
                return true;
            }
        }
        return false;
    }
}
