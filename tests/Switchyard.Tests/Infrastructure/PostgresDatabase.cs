namespace Switchyard.Tests.Infrastructure;

/// <summary>A fresh database on the run's <see cref="PostgresServer"/> for one test class (xunit class fixture).</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string Name { get; private set; } = "";

    /// <summary>Its database_url.</summary>
    public string Url => Server.Url(Name);

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.GetAsync();
        Name = await Server.CreateDatabaseAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
