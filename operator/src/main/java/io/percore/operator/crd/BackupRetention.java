package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * How many backups of this service are kept, applied after each successful one to this service's folder only: the
 * {@code keep} newest, those younger than {@code maxAge}, or (both) every backup either keeps. The newest is always kept.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupRetention {

    public static final String AGE_PATTERN = "^[0-9]{1,6}(m|h|d)$";

    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Keep the N newest complete backups.")
    private Integer keep;

    @Pattern(AGE_PATTERN)
    @JsonPropertyDescription("Keep the backups younger than this (e.g. 7d, 36h, 90m).")
    private String maxAge;

    public BackupRetention() {
    }

    public BackupRetention(Integer keep, String maxAge) {
        this.keep = keep;
        this.maxAge = maxAge;
    }

    public Integer getKeep() { return keep; }
    public void setKeep(Integer keep) { this.keep = keep; }
    public String getMaxAge() { return maxAge; }
    public void setMaxAge(String maxAge) { this.maxAge = maxAge; }
}
