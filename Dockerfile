# syntax=docker/dockerfile:1
# PhotoStudio container image. Build: docker build -t photostudio .
# Run with docker compose (docker-compose.yml), which also provides PostgreSQL.

# ---- build ---------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project file alone, so the package layer is cached.
# .editorconfig is always there; the bracketed names are optional build files (copied when present).
COPY .editorconfig Directory.Build.prop[s] Directory.Packages.prop[s] NuGet.Confi[g] ./
COPY PhotoStudio/PhotoStudio.csproj PhotoStudio/
RUN dotnet restore PhotoStudio/PhotoStudio.csproj

# Migrations/ and wwwroot/ sit beside the project and are pulled in by the .csproj.
COPY PhotoStudio/ PhotoStudio/
COPY Migrations/ Migrations/
COPY wwwroot/ wwwroot/
RUN dotnet publish PhotoStudio/PhotoStudio.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# ---- runtime -------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# curl for the HEALTHCHECK (the aspnet image has neither curl nor wget).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app ./

# PHOTOSTUDIO_PUBLIC_URL has no default on purpose: Production refuses to start until it is set (docker-compose.yml).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080

# The non-root "app" user that the .NET images define (APP_UID=1654).
USER $APP_UID

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://localhost:8080/health/live || exit 1

ENTRYPOINT ["dotnet", "PhotoStudio.dll"]
