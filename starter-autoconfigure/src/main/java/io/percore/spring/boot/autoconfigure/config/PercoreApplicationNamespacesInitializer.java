package io.percore.spring.boot.autoconfigure.config;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Records the application's {@code percore.<name>} namespaces ({@link PercoreApplicationNamespaces})
 * once every bean definition is known (a context-level post-processor runs after the
 * configuration classes and auto-configurations are parsed) and before any bean, in particular
 * the validated {@code PercoreConfig}, is created. Registered in {@code META-INF/spring.factories};
 * add it to an {@code ApplicationContextRunner} with {@code withInitializer}.
 */
public final class PercoreApplicationNamespacesInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.addBeanFactoryPostProcessor((BeanFactoryPostProcessor) beanFactory ->
                PercoreApplicationNamespaces.detect(beanFactory, context.getEnvironment()));
    }
}
