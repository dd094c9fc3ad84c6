extern alias server;

using server::DocStore.Server;

namespace DocStore.Server.Tests.Unit;

/// <summary>The operational keys: DocStore:Metrics:Port and DocStore:Shutdown.</summary>
public sealed class OperationsOptionsTests
{
    private static List<string> Problems(DocStoreOptions options)
    {
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };
        return Infrastructure.SettingsProblems.Of(options);
    }

    [Fact]
    public void The_defaults_are_valid_a_25_second_grace_period_no_drain_delay_and_no_metrics_port()
    {
        var options = new DocStoreOptions();
        Assert.Empty(Problems(options));
        Assert.Equal(TimeSpan.FromSeconds(25), options.Shutdown.GracePeriod);
        Assert.Equal(TimeSpan.Zero, options.Shutdown.DrainDelay);
        Assert.Equal(0, options.Metrics.Port);
    }

    [Fact]
    public void Out_of_range_values_are_reported_with_their_keys()
    {
        var options = new DocStoreOptions();
        options.Metrics.Port = 70000;
        options.Shutdown.GracePeriod = TimeSpan.Zero;
        options.Shutdown.DrainDelay = TimeSpan.FromSeconds(-1);

        var problems = Problems(options);

        Assert.Contains(problems, p => p.StartsWith("DocStore:Metrics:Port", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Shutdown:GracePeriod", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Shutdown:DrainDelay", StringComparison.Ordinal));
        Assert.Equal(3, problems.Count);
    }
}
