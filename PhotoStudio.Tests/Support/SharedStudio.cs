namespace PhotoStudio.Tests.Support;

/// <summary>
/// One app and database for test classes that only read, or put back what they change before they end: instead of
/// an app start and a database copy each, they run one after another on this one (<c>[Collection(SharedStudio.Name)]</c>
/// and a <see cref="StudioApp"/> constructor parameter, no <c>IClassFixture</c>). Its clock is shared too: sign in with
/// <see cref="Http.SignedInClientAsync"/> or pass <c>app.Clock</c>, so a code is taken from the app's time, not the wall clock's.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedStudio : ICollectionFixture<StudioApp>
{
    public const string Name = "shared studio";
}
