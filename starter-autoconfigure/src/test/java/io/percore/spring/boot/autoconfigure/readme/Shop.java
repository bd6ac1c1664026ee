package io.percore.spring.boot.autoconfigure.readme;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The application's own settings under percore.shop (its bean claims them: the starter's validator leaves them to it). */
@ConfigurationProperties(prefix = "percore.shop", ignoreUnknownFields = false)
public class Shop {

    private volatile int maxOrders = 100;

    public int getMaxOrders() { return maxOrders; }

    public void setMaxOrders(int maxOrders) { this.maxOrders = maxOrders; }

    public int maxOrders() { return maxOrders; }

    public void maxOrders(int max) { this.maxOrders = max; }
}
