extern alias server;

using DocStore.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;
using server::DocStore.Server.Operations;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Cosmos;
using server::DocStore.Server.Storage.Embedded;

namespace DocStore.Server.Tests.Unit;

/// <summary>The <c>DocStore</c> section bound once: bad values and unknown keys reported by name, never thrown.</summary>
public sealed class SettingsBindingTests
{
    private static DocStoreSettings Bind(params (string Key, string Value)[] settings) => DocStoreSettings.Bind(
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create<string, string?>(s.Key, s.Value)))
            .Build()
            .GetSection(DocStoreOptions.SectionName));

    [Fact]
    public void Good_values_bind_with_no_problem_and_no_unknown_key()
    {
        var settings = Bind(
            ("DocStore:Store", "cosmos"), ("DocStore:Cosmos:ConnectionMode", "Gateway"), ("DocStore:SessionTokens:Sharing", "Off"),
            ("DocStore:Metrics:Port", "9191"), ("DocStore:Shutdown:GracePeriod", "00:00:10"), ("DocStore:Logging:Json", "true"),
            ("DocStore:Cosmos:PreferredRegions:0", "West Europe"), ("DocStore:Collections:orders:PartitionKeyPath", "/customer/id"));

        Assert.Empty(settings.Problems);
        Assert.Empty(settings.UnknownKeys);
        Assert.Equal(StoreKind.Cosmos, settings.Options.Store);
        Assert.Equal(CosmosConnectionMode.Gateway, settings.Options.Cosmos.ConnectionMode);
        Assert.Equal(TokenSharing.Off, settings.Options.SessionTokens.Sharing);
        Assert.Equal(9191, settings.Options.Metrics.Port);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Options.Shutdown.GracePeriod);
        Assert.True(settings.Options.Logging.Json);
        Assert.Equal(["West Europe"], settings.Options.Cosmos.PreferredRegions);
        Assert.Equal("/customer/id", Assert.Single(settings.Options.Collections).Value.PartitionKeyPath);
    }

    [Fact]
    public void With_no_collection_configured_the_default_items_collection_is_added()
    {
        var collection = Assert.Single(Bind().Options.Collections);
        Assert.Equal(("items", "/pk"), (collection.Key, collection.Value.PartitionKeyPath));
    }

    [Theory]
    [InlineData("DocStore:Store", "Embeded", "Embedded, Cosmos")]
    [InlineData("DocStore:Cosmos:ConnectionMode", "Tcp", "Direct, Gateway")]
    [InlineData("DocStore:SessionTokens:Sharing", "Shared", "Redis, Local, Off")]
    public void An_enum_typo_is_a_problem_naming_the_key_and_every_valid_value(string key, string value, string valid)
    {
        var settings = Bind((key, value), ("DocStore:Metrics:Port", "9191"));

        Assert.Equal($"{key}: '{value}' is not valid; use one of: {valid}.", Assert.Single(settings.Problems));

        // The other keys are still bound, so the validators can report their problems in the same run.
        Assert.Equal(9191, settings.Options.Metrics.Port);
    }

    [Theory]
    [InlineData("DocStore:Metrics:Port", "ninety", "a whole number")]
    [InlineData("DocStore:Shutdown:GracePeriod", "25s", "a time span")]
    [InlineData("DocStore:Logging:Json", "yes", "true or false")]
    [InlineData("DocStore:Cosmos:CreateIfNotExists", "1", "true or false")]
    public void A_value_of_the_wrong_type_is_a_problem_naming_the_key_and_the_type(string key, string value, string expected)
    {
        var problem = Assert.Single(Bind((key, value)).Problems);
        Assert.StartsWith($"{key}: '{value}' is not {expected}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_are_named_in_full_with_the_nearest_setting()
    {
        var settings = Bind(
            ("DocStore:Embeded:Path", "x.db"), ("DocStore:Metrics:Prot", "1"), ("DocStore:Wholly:Different", "1"),
            ("DocStore:Collections:orders:PartitionKeyPath", "/pk"), ("DocStore:Collections:orders:Partition", "/pk"));

        string[] expected =
        [
            "DocStore:Collections:orders:Partition",
            "DocStore:Embeded:Path (did you mean DocStore:Embedded?)",
            "DocStore:Metrics:Prot (did you mean DocStore:Metrics:Port?)",
            "DocStore:Wholly:Different",
        ];
        Assert.Equal(expected, settings.UnknownKeys.Order(StringComparer.Ordinal));
        Assert.Equal("data/docstore.db", settings.Options.Embedded.Path);
    }

    [Fact]
    public void Binding_problems_fail_validation_with_the_other_problems()
    {
        var settings = Bind(("DocStore:Store", "Embeded"), ("DocStore:Embedded:BusyTimeout", "00:00:00"));
        var failures = new DocStoreSettingsValidator(settings).Validate(null, settings.Options).Failures!.Concat(SettingsProblems.Of(settings.Options)).ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("DocStore:Store:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DocStore:Embedded:BusyTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_concern_registers_its_own_validator_and_options_are_the_instance_bound_once()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["DocStore:Metrics:Port"] = "9191";
        builder.AddDocStore();
        using var provider = builder.Services.BuildServiceProvider();

        var validators = provider.GetServices<IValidateOptions<DocStoreOptions>>().Select(v => v.GetType().Name).Order(StringComparer.Ordinal);
        string[] expected =
        [
            nameof(server::DocStore.Server.Security.AuthOptionsValidator),
            nameof(ChangeFeedOptionsValidator), nameof(CosmosStoreOptionsValidator), nameof(DocStoreSettingsValidator), nameof(EmbeddedStoreOptionsValidator),
            nameof(OperationsOptionsValidator), nameof(SessionTokenOptionsValidator), nameof(StoreOptionsValidator),
            nameof(server::DocStore.Server.Security.TlsOptionsValidator),
        ];
        Assert.Equal(expected, validators);
        Assert.Same(provider.GetRequiredService<DocStoreSettings>().Options, provider.GetRequiredService<IOptions<DocStoreOptions>>().Value);
        Assert.Equal(9191, provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Metrics.Port);
    }

    [Fact]
    public void Each_validator_reports_only_its_own_keys()
    {
        var options = new DocStoreOptions
        {
            Store = StoreKind.Cosmos,
            Embedded = { BusyTimeout = TimeSpan.Zero },
            SessionTokens = { Ttl = TimeSpan.Zero },
            Metrics = { Port = -1 },
        };
        options.Collections["bad/name"] = new CollectionOptions { PartitionKeyPath = "/pk" };

        string[][] prefixes =
        [
            ["DocStore:Collections:"],
            ["DocStore:Embedded:"],
            ["DocStore:Cosmos:"],
            ["DocStore:SessionTokens:", "DocStore:Redis:"],
            ["DocStore:Metrics:", "DocStore:Shutdown:"],
        ];
        for (var i = 0; i < SettingsProblems.Validators.Length; i++)
        {
            var failures = SettingsProblems.Validators[i].Validate(null, options).Failures;
            Assert.NotNull(failures);
            Assert.All(failures, f => Assert.Contains(prefixes[i], p => f.StartsWith(p, StringComparison.Ordinal)));
        }
    }

    [Theory]
    [InlineData("Failed to bind to address http://127.0.0.1:5000: address already in use.", 0, "port 5000 is already in use. --urls sets it")]
    [InlineData("Failed to bind to address http://[::1]:6000: address already in use.", 9090, "port 6000 is already in use. --urls sets it")]
    [InlineData("Failed to bind to address http://localhost:9090: address already in use.", 9090, "port 9090 is already in use. DocStore:Metrics:Port sets it")]
    public void A_port_in_use_is_named_with_the_key_that_sets_it(string kestrelMessage, int metricsPort, string expected) =>
        Assert.Contains(expected, DocStoreApplication.PortInUse(kestrelMessage, metricsPort), StringComparison.Ordinal);
}
