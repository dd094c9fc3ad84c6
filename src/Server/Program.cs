using DocStore.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddDocStore();

var app = builder.Build();
app.MapDocStore();
return await app.RunDocStoreAsync();
