extern alias server;

using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;
using server::DocStore.Server.Operations;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Cosmos;
using server::DocStore.Server.Storage.Embedded;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>What every concern's validator finds in one set of options, as start-up reports them together.</summary>
internal static class SettingsProblems
{
    /// <summary>The validators AddDocStore registers, one per concern.</summary>
    public static readonly IValidateOptions<DocStoreOptions>[] Validators =
    [
        new StoreOptionsValidator(),
        new EmbeddedStoreOptionsValidator(),
        new CosmosStoreOptionsValidator(),
        new SessionTokenOptionsValidator(),
        new OperationsOptionsValidator(),
    ];

    public static List<string> Of(DocStoreOptions options) => [.. Validators.SelectMany(v => v.Validate(null, options).Failures ?? [])];
}
