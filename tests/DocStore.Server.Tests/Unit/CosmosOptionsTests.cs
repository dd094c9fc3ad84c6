extern alias server;

using server::DocStore.Server;
using server::DocStore.Server.Storage.Cosmos;

namespace DocStore.Server.Tests.Unit;

public sealed class CosmosOptionsTests
{
    private static List<string> Problems(Action<CosmosStoreOptions> configure)
    {
        var options = new DocStoreOptions { Store = StoreKind.Cosmos };
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };
        options.Cosmos.Endpoint = new Uri("https://myaccount.documents.azure.com:443/");
        options.Cosmos.Database = "docstore";
        configure(options.Cosmos);
        return new CosmosStoreOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void An_account_with_a_database_and_no_key_is_valid() => Assert.Empty(Problems(_ => { }));

    [Theory]
    [InlineData("https://localhost:8081/")]
    [InlineData("https://127.0.0.1:8081/")]
    [InlineData("https://127.0.0.2:8081/")]
    [InlineData("https://[::1]:8081/")]
    public void Any_certificate_is_accepted_for_loopback_endpoints(string endpoint) =>
        Assert.Empty(Problems(o => { o.Endpoint = new Uri(endpoint); o.AcceptAnyServerCertificate = true; }));

    [Theory]
    [InlineData("https://myaccount.documents.azure.com:443/")]
    [InlineData("https://10.0.0.5:8081/")]
    [InlineData("https://localhost.example.com:8081/")]
    public void Any_certificate_is_refused_for_other_endpoints(string endpoint)
    {
        var problem = Assert.Single(Problems(o => { o.Endpoint = new Uri(endpoint); o.AcceptAnyServerCertificate = true; }));
        Assert.StartsWith("DocStore:Cosmos:AcceptAnyServerCertificate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_and_database_are_required_and_the_endpoint_must_be_https()
    {
        Assert.Contains(Problems(o => o.Endpoint = null), p => p.StartsWith("DocStore:Cosmos:Endpoint is required", StringComparison.Ordinal));
        Assert.Contains(Problems(o => o.Endpoint = new Uri("http://myaccount.documents.azure.com/")), p => p.StartsWith("DocStore:Cosmos:Endpoint must be", StringComparison.Ordinal));
        Assert.Contains(Problems(o => o.Database = " "), p => p.StartsWith("DocStore:Cosmos:Database is required", StringComparison.Ordinal));
        Assert.Contains(Problems(o => o.Database = "a/b"), p => p.StartsWith("DocStore:Cosmos:Database:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_that_is_not_base64_is_refused_without_quoting_it()
    {
        var problem = Assert.Single(Problems(o => o.Key = "not a key!"));
        Assert.StartsWith("DocStore:Cosmos:Key", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("not a key!", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Cosmos_keys_are_not_checked_for_the_embedded_store()
    {
        var options = new DocStoreOptions();
        options.Collections["items"] = new CollectionOptions { PartitionKeyPath = "/pk" };
        options.Cosmos.AcceptAnyServerCertificate = true;
        Assert.Null(new CosmosStoreOptionsValidator().Validate(null, options).Failures);
    }

    [Theory]
    [InlineData(
        "Response status code does not indicate success: BadRequest (400); Substatus: 0; ActivityId: 1; Reason: (\ncode : BadRequest\nmessage : Message: {\"Errors\":[\"For Operation(2): Can't increment a non-numeric value. Learn more: https:\\/\\/aka.ms\\/cosmosdbpatchdocs\"]}\r\nActivityId: 2, Request URI: /apps/x, RequestStats: , SDK: y\n);",
        "operation 2: Can't increment a non-numeric value.")]
    [InlineData(
        "Response status code does not indicate success: BadRequest (400); Substatus: 0; ActivityId: 1; Reason: (\ncode : BadRequest\nmessage : For Operation(0): Invalid array index.\n);",
        "operation 0: Invalid array index.")]
    [InlineData("{\"code\":\"BadRequest\",\"message\":\"For Operation(1): Node to be removed is absent.\"}", "operation 1: Node to be removed is absent.")]
    [InlineData("", "Cosmos DB gave no reason")]
    public void Cosmos_reasons_are_kept_without_activity_ids_and_links(string raw, string expected) =>
        Assert.Equal(expected, CosmosResponses.CleanMessage(raw));
}
