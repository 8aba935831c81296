using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PhotoStudio.Data;

/// <summary>
/// The context for <c>dotnet ef</c>, without starting the app. Adding a migration needs no database; commands that
/// do (database update, has-pending-model-changes against a live schema) use ConnectionStrings__Studio.
/// </summary>
public sealed class StudioDbDesignTimeFactory : IDesignTimeDbContextFactory<StudioDb>
{
    public StudioDb CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<StudioDb>()
        .UseNpgsql(Environment.GetEnvironmentVariable("ConnectionStrings__Studio") is { Length: > 0 } connection
            ? connection : "Host=localhost;Database=photostudio")
        .Options);
}
