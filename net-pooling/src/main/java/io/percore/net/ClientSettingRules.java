package io.percore.net;

import io.percore.config.ClientPoolConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import java.util.function.Consumer;

/**
 * Checks a client setting given in code against config-schema's rules, as if it had been written
 * under {@code percore.clients.client.<key>}: the option builders of net-pooling know no rule of
 * their own, so code and YAML meet the same bounds and the same error texts.
 */
public final class ClientSettingRules {

    /** The client name errors show for settings given in code, outside any configuration. */
    public static final String CODE_CLIENT = "client";

    private ClientSettingRules() {
    }

    /**
     * Applies {@code setting} to a default client model and validates {@code key} there.
     *
     * @throws ConfigValidationException naming {@code percore.clients.client.<key>}, the value and the rule
     */
    public static void require(String key, Consumer<ClientPoolConfig> setting) {
        ClientPoolConfig model = new ClientPoolConfig();
        setting.accept(model);
        ConfigValidationException.throwIfAny(ConfigValidator.shared().validateClientKeys(CODE_CLIENT, model, key));
    }
}
