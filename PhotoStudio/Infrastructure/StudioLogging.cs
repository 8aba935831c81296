using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace PhotoStudio.Infrastructure;

/// <summary>Serilog set-up: readable console lines in Development, one JSON object per line elsewhere.</summary>
public static class StudioLogging
{
    public static Serilog.ILogger CreateLogger(IConfiguration configuration, IHostEnvironment environment)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.With<RedactSecretPaths>()
            .ReadFrom.Configuration(configuration);

        config = environment.IsDevelopment()
            ? config.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}")
            : config.WriteTo.Console(new JsonFormatter(renderMessage: true));
        // PHOTOSTUDIO_LOG_FILE (or Logging:File): also write JSON lines to a file, e.g. for log shippers and the test run.
        if ((configuration["Logging:File"] ?? configuration["PHOTOSTUDIO_LOG_FILE"]) is { Length: > 0 } path)
            config = config.WriteTo.File(new JsonFormatter(renderMessage: true), path, shared: true);
        return config.CreateLogger();
    }
}
