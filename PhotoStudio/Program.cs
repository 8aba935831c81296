using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Admin;
using PhotoStudio.Features.Admin.Access;
using PhotoStudio.Features.Admin.Audit;
using PhotoStudio.Features.Admin.Catalogue;
using PhotoStudio.Features.Admin.Employees;
using PhotoStudio.Features.Admin.Notifications;
using PhotoStudio.Features.Admin.Settings;
using PhotoStudio.Features.Api;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Calendar;
using PhotoStudio.Features.Clients;
using PhotoStudio.Features.Dashboard;
using PhotoStudio.Features.Shared;
using PhotoStudio.Features.Health;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Infrastructure.Jobs;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Infrastructure.Metrics;

var builder = WebApplication.CreateBuilder(args);

// Options and logging
builder.Services.AddStudioLogging(builder.Configuration, builder.Environment);
builder.Services.AddSingleton(TimeProvider.System);
// Absolute links come from the public address, never from the Host header; Host filtering (AllowedHosts) also lets
// the public address's own host through.
var publicLinks = PublicLinks.FromConfiguration(builder.Configuration, builder.Environment);
builder.Services.AddSingleton(publicLinks);
if (publicLinks.PublicUrl is { } publicUrl)
    builder.Services.PostConfigure<HostFilteringOptions>(o => o.AllowedHosts =
        [.. builder.Configuration["AllowedHosts"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } hosts ? hosts : ["*"],
            publicUrl.IdnHost]);

// Data
var connectionString = builder.Configuration.GetConnectionString("Studio")
    ?? throw new InvalidOperationException(
        "No database configured: set ConnectionStrings__Studio (./ops/run starts a private PostgreSQL for you).");
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<AuditContext>();
builder.Services.AddScoped<AuditInterceptor>();
builder.Services.AddScoped<AuditLog>();
builder.Services.AddDbContext<StudioDb>((services, o) => o
    .UseNpgsql(connectionString)
    .AddInterceptors(services.GetRequiredService<AuditInterceptor>(), services.GetRequiredService<StatusChangeCounter>()));
builder.Services.AddStudioDataProtection(builder.Configuration, builder.Environment);

// Identity and access
builder.Services.AddIdentity<StudioUser, StudioRole>(o =>
    {
        o.User.RequireUniqueEmail = true;
        o.Password.RequiredLength = 12;
        o.Password.RequireNonAlphanumeric = false;
        o.Password.RequireUppercase = false;
        o.Password.RequireLowercase = false;
        o.Password.RequireDigit = false;
        o.Lockout.MaxFailedAccessAttempts = 5;
        o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        o.Lockout.AllowedForNewUsers = true;
    })
    .AddEntityFrameworkStores<StudioDb>()
    .AddUserStore<StudioUserStore>()
    .AddUserManager<StudioUserManager>()
    .AddSignInManager<StudioSignInManager>()
    .AddClaimsPrincipalFactory<StudioClaimsFactory>()
    .AddPasswordValidator<CommonPasswordValidator>()
    .AddDefaultTokenProviders()
    .AddTokenProvider<AuthenticatorCodes>(TokenOptions.DefaultAuthenticatorProvider);
builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorRememberMeScheme, o =>
{
    o.ExpireTimeSpan = TimeSpan.FromDays(30);
    o.Cookie.HttpOnly = true;
    o.Cookie.SameSite = SameSiteMode.Lax;
});
// OWASP's figure for PBKDF2-HMAC-SHA512. The test suite's apps (the Testing environment, and only there) may set a
// cheaper one for their throw-away accounts with Testing:PasswordIterations.
builder.Services.Configure<PasswordHasherOptions>(o => o.IterationCount =
    builder.Environment.IsEnvironment("Testing") && builder.Configuration.GetValue<int?>("Testing:PasswordIterations") is { } testing
        ? testing
        : 210_000);
builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
builder.Services.ConfigureApplicationCookie(StudioCookies.Configure);
builder.Services.AddAuthorization(o =>
{
    foreach (var permission in Permissions.All)
        o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireClaim(Permissions.ClaimType, permission));
    // The header's search: anyone who may see clients or bookings (it lists only what each may see).
    o.AddPolicy(PhotoStudio.Features.Search.GlobalSearch.Policy, p => p.RequireAuthenticatedUser().RequireClaim(Permissions.ClaimType,
        Permissions.ClientsView, Permissions.BookingsViewAll, Permissions.BookingsViewOwn));
    o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
});
builder.Services.AddAntiforgery(o =>
{
    o.HeaderName = "RequestVerificationToken";
    o.Cookie.Name = "ps.antiforgery";
    o.Cookie.SameSite = SameSiteMode.Strict;
    o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});

// Services
builder.Services.AddScoped<StudioSetup>();
builder.Services.AddScoped<DemoSeeder>();
builder.Services.AddScoped<RoleMatrix>();
builder.Services.AddScoped<CatalogueService>();
builder.Services.AddScoped<StudioSettingsService>();
builder.Services.AddScoped<AuditViewer>();
builder.Services.AddScoped<NotificationLog>();
builder.Services.AddScoped<PasswordReset>();
builder.Services.AddScoped<AccountSecurity>();
builder.Services.AddScoped<SignInSteps>();
builder.Services.AddScoped<EmployeeDirectory>();
builder.Services.AddScoped<StudioDay>();
builder.Services.AddScoped<StudioWrites>();
builder.Services.AddScoped<BookingService>();
builder.Services.AddScoped<LostLinks>();
builder.Services.AddSingleton<FunnelCounter>();
builder.Services.AddHostedService<FunnelFlush>();
builder.Services.AddScoped<BoardService>();
builder.Services.AddScoped<PhotoStudio.Features.FrontDesk.FrontDeskService>();
builder.Services.AddSingleton<StudioChanges>();
builder.Services.AddSingleton<ReportChanges>();
builder.Services.AddSingleton<ReportCache>();
builder.Services.AddSingleton<StudioSettingsCache>();
builder.Services.AddPublicPages();
builder.Services.AddSingleton<BoardEventHub>();
builder.Services.AddSingleton<BoardStreamSlots>();
builder.Services.AddSingleton<BoardStreamAccess>();
builder.Services.AddHostedService<BoardEventListener>();
builder.Services.AddScoped<CalendarService>();
builder.Services.AddScoped<CalendarFeeds>();
builder.Services.AddScoped<ClientDirectory>();
builder.Services.AddScoped<DashboardService>();
builder.Services.AddScoped<UtilizationService>();
builder.Services.AddScoped<ClientExport>();
builder.Services.AddScoped<ClientErasure>();
builder.Services.AddScoped<ClientRetention>();
builder.Services.AddScoped<DuplicateFinder>();
builder.Services.AddScoped<ClientMerge>();
builder.Services.AddScoped<PhotoStudio.Features.Search.GlobalSearch>();
builder.Services.AddStudioApi();
builder.Services.AddSingleton<BookingDrafts>();
builder.Services.AddStudioMetrics();
builder.Services.AddStudioMail(builder.Configuration, builder.Environment);
builder.Services.AddStudioJobs(builder.Configuration, connectionString);
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddStudioRateLimits(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);

// MVC, views beside their controllers, localization
builder.Services.AddLocalization();
// Cyrillic (and any other script) as characters in the HTML, not as numeric entities.
builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
builder.Services.Configure<RequestLocalizationOptions>(o =>
{
    CultureInfo[] cultures = [new("en"), new("ru")];
    o.DefaultRequestCulture = new RequestCulture("en");
    o.SupportedCultures = cultures;
    o.SupportedUICultures = cultures;
    o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
});
builder.Services
    .AddControllersWithViews(o =>
    {
        o.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
        SafeBinders.Register(o);
    })
    .AddViewLocalization()
    .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)))
    .AddRazorOptions(FeatureFolders.Configure);

var app = builder.Build();
StaticFiles.UseRepositoryWebRoot(app.Environment);

// Pipeline
app.UseTrustedProxies();
app.UseSecurityHeaders();
app.UseStudioRequestLogging();
app.UseStudioHttpMetrics();
if (!app.Environment.IsDevelopment())
    app.UseHsts();
app.UseExceptionHandler("/error/500");
app.UseStatusCodePagesWithReExecute("/error/{0}");
app.UseStaticFiles();
app.UseRequestLocalization();
app.UseRouting();
app.UseRequestRoutes();
app.UseStudioRateLimits();
app.UseAuthentication();
app.UseAnonymousBodyLimit();
app.UseMiddleware<AccountObligations>();
app.UseAuthorization();
// After localization (entries vary by language) and authentication (never for a signed-in user); see PublicPages.
app.UseOutputCache();

app.MapControllers();
app.MapStudioApi();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
app.MapStudioMetrics("/metrics").AllowOnlyConfiguredNetworks(app.Configuration);
// Unknown addresses are a 404 for everyone; without this the fallback policy would send visitors to sign in.
app.MapFallback("{*path}", () => Results.NotFound()).AllowAnonymous();

await using (var scope = app.Services.CreateAsyncScope())
    await scope.ServiceProvider.GetRequiredService<StudioSetup>().RunAsync(app.Lifetime.ApplicationStopping);

app.Run();

/// <summary>Visible to the test project's WebApplicationFactory.</summary>
public partial class Program;
