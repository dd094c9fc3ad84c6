extern alias server;

using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server.Storage;

namespace DocStore.Tests.Shared;

/// <summary>Puts a <see cref="ScriptedStore"/> in place of the configured store, on every port the server asks a store for.</summary>
internal static class ScriptedStoreRegistration
{
    public static IServiceCollection AddScriptedStore(this IServiceCollection services, ScriptedStore store)
    {
        services.AddSingleton<IDocumentStore>(store);
        services.AddSingleton<IStoreIdentity>(store);
        services.AddSingleton<IChangeSignal>(store);
        services.AddSingleton<IStoreProbe>(store);
        return services;
    }
}
