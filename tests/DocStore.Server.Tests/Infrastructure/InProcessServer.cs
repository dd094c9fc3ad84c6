extern alias server;

using DocStore.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// The server in this process on a TestServer, on its own SQLite file, with a real gRPC client over
/// the TestServer's handler. Collections: <c>items</c> (<c>/pk</c>) and <c>orders</c> (<c>/customer/id</c>).
/// </summary>
public sealed class InProcessServer : IDisposable
{
    private readonly WebApplicationFactory<server::Program> _factory;

    public InProcessServer()
        : this(configureServices: null)
    {
    }

    private InProcessServer(Action<IServiceCollection>? configureServices)
    {
        DatabasePath = TestPaths.NewDatabasePath();
        _factory = new WebApplicationFactory<server::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("DocStore:Embedded:Path", DatabasePath);
            builder.UseSetting("DocStore:Collections:items:PartitionKeyPath", "/pk");
            builder.UseSetting("DocStore:Collections:orders:PartitionKeyPath", "/customer/id");
            if (configureServices is not null)
            {
                builder.ConfigureTestServices(configureServices);
            }
        });
        Channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = _factory.Server.CreateHandler(),
            MaxReceiveMessageSize = 32 * 1024 * 1024,
        });
        Client = new DocStoreService.DocStoreServiceClient(Channel);
    }

    public string DatabasePath { get; }

    /// <summary>A server whose services <paramref name="configureServices"/> replaces after the application's own registrations.</summary>
    public static InProcessServer WithServices(Action<IServiceCollection> configureServices) => new(configureServices);

    public GrpcChannel Channel { get; }

    public DocStoreService.DocStoreServiceClient Client { get; }

    public void Dispose()
    {
        Channel.Dispose();
        _factory.Dispose();
    }
}
