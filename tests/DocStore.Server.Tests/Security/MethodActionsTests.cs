extern alias server;

using server::DocStore.Server.Api.Messages;
using server::DocStore.Server.Security;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Security;

/// <summary>Every method of the contract has an action, and the batch rule needs the action of every operation.</summary>
public sealed class MethodActionsTests
{
    [Fact]
    public void Every_method_of_the_service_descriptor_has_an_action()
    {
        var service = server::DocStore.V1.DocStoreService.Descriptor;
        Assert.Equal(MethodActions.DocStoreService, service.FullName);
        var unmapped = service.Methods.Select(m => m.Name).Where(name => !MethodActions.ByMethodName.ContainsKey(name)).ToList();
        Assert.True(unmapped.Count == 0, "Give these methods an action in MethodActions.ByMethodName: " + string.Join(", ", unmapped));

        foreach (var method in service.Methods)
        {
            var rule = MethodActions.Find($"/{service.FullName}/{method.Name}");
            Assert.NotNull(rule);
            Assert.Equal(Access.Authorized, rule.Access);
        }
    }

    [Theory]
    [InlineData("Get", "read", false)]
    [InlineData("ReadMany", "read", false)]
    [InlineData("Query", "query", false)]
    [InlineData("ReadChanges", "changes", false)]
    [InlineData("WatchChanges", "changes", false)]
    [InlineData("Create", "create", true)]
    [InlineData("Replace", "replace", true)]
    [InlineData("Upsert", "upsert", true)]
    [InlineData("Patch", "patch", true)]
    [InlineData("Delete", "delete", true)]
    [InlineData("ExecuteBatch", "batch", true)]
    public void Each_method_has_the_action_of_the_table(string method, string action, bool isWrite)
    {
        var rule = MethodActions.Find($"/docstore.v1.DocStoreService/{method}");
        Assert.NotNull(rule);
        Assert.Equal((action, isWrite), (rule.Action, rule.IsWrite));
    }

    [Fact]
    public void Health_is_open_reflection_needs_a_caller_and_anything_else_has_no_rule()
    {
        Assert.Equal(Access.Open, MethodActions.Find("/grpc.health.v1.Health/Check")!.Access);
        Assert.Equal(Access.Open, MethodActions.Find("/grpc.health.v1.Health/Watch")!.Access);
        Assert.Equal(Access.Authenticated, MethodActions.Find("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")!.Access);
        Assert.Equal(Access.Authenticated, MethodActions.Find("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")!.Access);
        Assert.Null(MethodActions.Find("/docstore.v1.DocStoreService/Unknown"));
        Assert.Null(MethodActions.Find("/other.Service/Get"));
    }

    [Fact]
    public void A_single_action_rule_reads_the_collection_of_the_request()
    {
        var rule = MethodActions.Find("/docstore.v1.DocStoreService/Get")!;
        var requirements = rule.RequirementsOf(new server::DocStore.V1.GetRequest { Collection = "orders", Id = "1", PartitionKey = "c" });
        Assert.Equal([new Requirement("orders", "read")], requirements);
    }

    [Fact]
    public void A_batch_mixing_allowed_and_denied_operations_is_denied_as_a_whole()
    {
        var caller = PermissionSet.For(["app"], ["items.read", "items.create"], []);
        var allowed = BatchRule.Requirements("items", [BatchStepKind.Read, BatchStepKind.Create, BatchStepKind.Read]);
        Assert.Equal([new Requirement("items", "read"), new Requirement("items", "create")], allowed);
        Assert.All(allowed, r => Assert.True(caller.Allows(r.Collection, r.Action)));

        var mixed = BatchRule.Requirements("items", [BatchStepKind.Read, BatchStepKind.Create, BatchStepKind.Delete]);
        Assert.Contains(mixed, r => !caller.Allows(r.Collection, r.Action));
        Assert.Equal(new Requirement("items", "delete"), mixed.Single(r => !caller.Allows(r.Collection, r.Action)));

        // write covers every write kind of a batch, but not its reads.
        var writer = PermissionSet.For(["app"], ["items.write"], []);
        Assert.All(BatchRule.Requirements("items", [BatchStepKind.Create, BatchStepKind.Replace, BatchStepKind.Upsert, BatchStepKind.Patch, BatchStepKind.Delete]), r => Assert.True(writer.Allows(r.Collection, r.Action)));
        Assert.False(writer.Allows("items", "read"));
    }

    [Fact]
    public void Every_case_of_a_batch_operations_oneof_has_a_kind_and_an_action_and_a_request_without_operations_is_refused()
    {
        // Every case of the contract's oneof, found from the descriptor: a case added to the proto without a kind fails here.
        var cases = server::DocStore.V1.BatchOperation.Descriptor.Oneofs.Single().Fields;
        Assert.Equal(6, cases.Count);
        var kinds = new List<BatchStepKind>();
        foreach (var field in cases)
        {
            var operation = new server::DocStore.V1.BatchOperation();
            field.Accessor.SetValue(operation, Activator.CreateInstance(field.MessageType.ClrType));
            var request = new server::DocStore.V1.ExecuteBatchRequest { Collection = "items", PartitionKey = "p", Operations = { operation } };
            var requirement = Assert.Single(MethodRuleFor("ExecuteBatch").RequirementsOf(request));
            Assert.Equal(field.Name, requirement.Action);
            kinds.Add(Assert.Single(((IBatchRequest)request).OperationKinds));
        }

        Assert.Equal(Enum.GetValues<BatchStepKind>().Order(), kinds.Order());
        var e = Assert.Throws<InvalidOperationException>(() => MethodRuleFor("ExecuteBatch").RequirementsOf(new server::DocStore.V1.GetRequest()));
        Assert.Contains("not a batch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_batch_rule_reads_each_operation_of_a_real_batch_and_leaves_an_empty_one_to_validation()
    {
        var request = new server::DocStore.V1.ExecuteBatchRequest
        {
            Collection = "orders",
            PartitionKey = "c",
            Operations =
            {
                new server::DocStore.V1.BatchOperation { Read = new server::DocStore.V1.BatchKey { Id = "a" } },
                new server::DocStore.V1.BatchOperation(),
                new server::DocStore.V1.BatchOperation { Delete = new server::DocStore.V1.BatchKey { Id = "b" } },
                new server::DocStore.V1.BatchOperation { Patch = new server::DocStore.V1.BatchPatch { Id = "c" } },
                new server::DocStore.V1.BatchOperation { Read = new server::DocStore.V1.BatchKey { Id = "d" } },
            },
        };
        Assert.Equal([BatchStepKind.Read, BatchStepKind.Delete, BatchStepKind.Patch, BatchStepKind.Read], ((IBatchRequest)request).OperationKinds);
        Assert.Equal(
            [new Requirement("orders", "read"), new Requirement("orders", "delete"), new Requirement("orders", "patch")],
            MethodRuleFor("ExecuteBatch").RequirementsOf(request));
    }

    [Theory]
    [InlineData("items.read", "items", "read", true)]
    [InlineData("items.read", "items", "query", false)]
    [InlineData("items.read", "orders", "read", false)]
    [InlineData("*.read", "orders", "read", true)]
    [InlineData("*.read", "orders", "upsert", false)]
    [InlineData("orders.write", "orders", "create", true)]
    [InlineData("orders.write", "orders", "delete", true)]
    [InlineData("orders.write", "orders", "read", false)]
    [InlineData("orders.write", "orders", "changes", false)]
    [InlineData("orders.*", "orders", "changes", true)]
    [InlineData("*.*", "any", "query", true)]
    [InlineData("eu.orders.read", "eu.orders", "read", true)]
    [InlineData("eu.orders.read", "eu", "read", false)]
    [InlineData("items.admin", "items", "read", false)]
    [InlineData("items", "items", "read", false)]
    [InlineData("Items.read", "items", "read", false)]
    public void A_role_value_allows_what_it_names(string role, string collection, string action, bool allowed)
    {
        Assert.Equal(allowed, PermissionSet.For(["app"], [role], []).Allows(collection, action));
    }

    [Fact]
    public void A_grant_applies_only_to_its_principal()
    {
        var grant = new GrantOptions { Principal = "spiffe://cluster.local/ns/shop/sa/orders" };
        grant.Collections.Add("orders");
        grant.Actions.Add("write");
        Assert.True(PermissionSet.For(["spiffe://cluster.local/ns/shop/sa/orders", "CN=orders"], [], [grant]).Allows("orders", "upsert"));
        Assert.False(PermissionSet.For(["spiffe://cluster.local/ns/shop/sa/billing"], [], [grant]).Allows("orders", "upsert"));
        Assert.False(PermissionSet.For(["spiffe://cluster.local/ns/shop/sa/orders"], [], [grant]).Allows("items", "upsert"));
    }

    private static MethodRule MethodRuleFor(string name) => MethodActions.ByMethodName[name];
}
