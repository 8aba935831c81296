using PhotoStudio.Data.Seeding;

namespace PhotoStudio.Tests.Support;

/// <summary>An anonymous visitor and every demo account, for theories that walk the app as each of them.</summary>
public static class Visitors
{
    public const string Anonymous = "anonymous";

    public static TheoryData<string> AnonymousAndEveryDemoAccount()
    {
        var data = new TheoryData<string> { Anonymous };
        foreach (var account in DemoSeeder.Accounts) data.Add(account.Email);
        return data;
    }
}
