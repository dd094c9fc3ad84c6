extern alias server;

using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocStore.Client.Tests.Infrastructure;

/// <summary>
/// The real DocStore server in this process on a TestServer, over an embedded SQLite file. Collections:
/// <c>items</c> (<c>/pk</c>) and <c>orders</c> (<c>/customer/id</c>). Settings and services can be added,
/// and several instances may share one file.
/// </summary>
public sealed class TestDocStore : IDisposable
{
    private readonly WebApplicationFactory<server::Program> _factory;

    public TestDocStore()
        : this(TempFiles.NewDatabasePath(), settings: null, configureServices: null)
    {
    }

    private TestDocStore(string databasePath, IReadOnlyDictionary<string, string>? settings, Action<IServiceCollection>? configureServices)
    {
        DatabasePath = databasePath;
        _factory = new WebApplicationFactory<server::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("DocStore:Embedded:Path", databasePath);
            builder.UseSetting("DocStore:Collections:items:PartitionKeyPath", "/pk");
            builder.UseSetting("DocStore:Collections:orders:PartitionKeyPath", "/customer/id");
            builder.UseSetting("DocStore:Metrics:Port", "0");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.ClearProviders());
            if (configureServices is not null)
            {
                builder.ConfigureTestServices(configureServices);
            }
        });
        Channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = CreateHandler() });
    }

    public string DatabasePath { get; }

    /// <summary>A channel to this server; the fixture disposes it.</summary>
    public GrpcChannel Channel { get; }

    public Uri BaseAddress => _factory.Server.BaseAddress;

    public static TestDocStore Create(string? databasePath = null, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? configureServices = null) =>
        new(databasePath ?? TempFiles.NewDatabasePath(), settings, configureServices);

    /// <summary>A handler that sends requests to this server in memory.</summary>
    public HttpMessageHandler CreateHandler() => _factory.Server.CreateHandler();

    public void Dispose()
    {
        Channel.Dispose();
        _factory.Dispose();
    }
}
