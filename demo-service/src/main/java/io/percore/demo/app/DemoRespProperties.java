package io.percore.demo.app;

import io.percore.demo.server.RespSettings;
import jakarta.validation.constraints.Min;

/** The Redis-compatible server ({@code percore.servers.resp} says where it listens). */
public class DemoRespProperties {

    /** The defaults of the limits below: the RESP server's own. */
    private static final RespSettings RESP_DEFAULTS = RespSettings.defaults();

    /** Password for AUTH / HELLO AUTH, and for the HTTP server's /kv API (Bearer or Basic); empty means none. */
    private String requirepass;
    /** Largest bulk string a client may send (Redis's proto-max-bulk-len, 1 MB to 2 GB - 1). */
    private int maxBulkLength = RespSettings.REDIS_MAX_BULK_LENGTH;
    /** Most arguments in one command. */
    @Min(1)
    private int maxArrayLength = RESP_DEFAULTS.maxArrayLength();
    /** Longest inline command line. */
    @Min(1)
    private int maxInlineLength = RESP_DEFAULTS.maxInlineLength();
    /**
     * Redis's aclfile: the users are read from this file at start (a bad line stops the start, naming it),
     * by ACL LOAD, and written by ACL SAVE; unset: no file. Not together with {@code users}.
     */
    private String aclfile;
    /** Redis's acllog-max-len: the most entries the ACL LOG keeps (unset: 128). */
    private Long acllogMaxLen;
    /** Redis's acl-pubsub-default: allchannels or resetchannels, what new users and selectors may do with channels (unset: resetchannels). */
    private String aclPubsubDefault;
    /**
     * Redis's enable-debug-command: who may run DEBUG, {@code no} (unset), {@code yes}, or {@code local} (a client
     * at 127.0.0.1 or ::1); at start only.
     */
    private String enableDebugCommand;

    public String getEnableDebugCommand() {
        return enableDebugCommand;
    }

    public void setEnableDebugCommand(String enableDebugCommand) {
        this.enableDebugCommand = enableDebugCommand;
    }

    /**
     * Users declared at start, each a Redis {@code user} line without the word {@code user}
     * ({@code "app on >secret ~app:* +@all -@dangerous"}); a declaration of {@code default} replaces the
     * default user's rules. Not together with {@code aclfile}.
     */
    private java.util.List<String> users = new java.util.ArrayList<>();

    public String getAclfile() {
        return aclfile;
    }

    public void setAclfile(String aclfile) {
        this.aclfile = aclfile;
    }

    public Long getAcllogMaxLen() {
        return acllogMaxLen;
    }

    public void setAcllogMaxLen(Long acllogMaxLen) {
        this.acllogMaxLen = acllogMaxLen;
    }

    public String getAclPubsubDefault() {
        return aclPubsubDefault;
    }

    public void setAclPubsubDefault(String aclPubsubDefault) {
        this.aclPubsubDefault = aclPubsubDefault;
    }

    public java.util.List<String> getUsers() {
        return users;
    }

    public void setUsers(java.util.List<String> users) {
        this.users = users;
    }

    /** Redis's {@code databases}: how many numbered databases (SELECT 0..n-1), 1 to 2147483647, at start only. */
    private int databases = io.percore.demo.server.ConfigValues.DEFAULT_DATABASES;

    public int getDatabases() {
        return databases;
    }

    public void setDatabases(int databases) {
        this.databases = databases;
    }

    public String getRequirepass() {
        return requirepass;
    }

    public void setRequirepass(String requirepass) {
        this.requirepass = requirepass;
    }

    public int getMaxBulkLength() {
        return maxBulkLength;
    }

    public void setMaxBulkLength(int maxBulkLength) {
        this.maxBulkLength = maxBulkLength;
    }

    public int getMaxArrayLength() {
        return maxArrayLength;
    }

    public void setMaxArrayLength(int maxArrayLength) {
        this.maxArrayLength = maxArrayLength;
    }

    public int getMaxInlineLength() {
        return maxInlineLength;
    }

    public void setMaxInlineLength(int maxInlineLength) {
        this.maxInlineLength = maxInlineLength;
    }

}
