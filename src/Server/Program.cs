using DocStore.Server;
using DocStore.Server.Storage.Embedded;

// A tool for benchmarks, not a mode of the service: fill an embedded store file, then exit.
if (args is [EmbeddedSeeder.CommandName, .. var seedArguments])
{
    return EmbeddedSeeder.Run(seedArguments, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddDocStore();

var app = builder.Build();
app.MapDocStore();
return await app.RunDocStoreAsync();
