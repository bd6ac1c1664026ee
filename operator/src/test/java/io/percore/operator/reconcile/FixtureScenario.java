package io.percore.operator.reconcile;

/** A scenario that uses another's driver, for ArchitectureTest to show that its rule reports it. Never listed in Scenarios. */
final class FixtureScenario implements Scenario {

    @Override
    public Scenario.Run start(ScenarioContext context) {
        new ReplicationDriver(context.client(), context.probe(), context.addresses(), context.events(), context.nodes(),
                context.applier(), context.primaryWatch(), new ReplicationDriver.SeenPositions());
        return new Scenario.Run() {
        };
    }
}
