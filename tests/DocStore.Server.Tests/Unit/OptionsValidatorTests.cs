extern alias server;

using server::DocStore.Server;

namespace DocStore.Server.Tests.Unit;

public sealed class OptionsValidatorTests
{
    private static List<string> Problems(DocStoreOptions options)
    {
        return Infrastructure.SettingsProblems.Of(options);
    }

    [Fact]
    public void The_defaults_with_one_collection_are_valid()
    {
        var options = new DocStoreOptions();
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };
        Assert.Empty(Problems(options));
    }

    [Fact]
    public void Every_problem_is_reported_with_its_key()
    {
        var options = new DocStoreOptions { Store = StoreKind.Cosmos };
        options.Collections["a"] = new CollectionOptions { PartitionKeyPath = "pk" };
        options.Collections["b"] = new CollectionOptions();
        options.Collections["c"] = new CollectionOptions { PartitionKeyPath = "/_ts" };
        options.Collections["d/e"] = new CollectionOptions { PartitionKeyPath = "/pk", Container = "a" };
        options.Embedded.Path = " ";

        var problems = Problems(options);

        Assert.Contains(problems, p => p.StartsWith("DocStore:Cosmos:Endpoint is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Cosmos:Database is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Collections:a:PartitionKeyPath", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Collections:b:PartitionKeyPath is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Collections:c:PartitionKeyPath", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Collections:d/e:", StringComparison.Ordinal) && p.Contains("255 characters", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Collections:d/e:Container", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Embedded:Path", StringComparison.Ordinal));
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void The_id_may_be_the_partition_key()
    {
        var options = new DocStoreOptions();
        options.Collections["users"] = new CollectionOptions { PartitionKeyPath = "/id" };
        Assert.Empty(Problems(options));
    }
}
