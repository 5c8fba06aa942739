using System.Diagnostics;

namespace OutlookFollowUp.Tests;

/// <summary>`sweep --once [--now INSTANT]` as an operator types it, on the built service in demo mode.</summary>
public sealed class SweepCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("ofu-sweep-");
        try
        {
            var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args])
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = dir.FullName,
                Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DOTNET_ENVIRONMENT"] = "Development" },
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task OnePassAtAGivenInstantPrintsOneSummaryLine()
    {
        var (exit, stdout, stderr) = await RunAsync("sweep", "--once", "--now", "2030-01-15T17:00:00Z");
        Assert.True(exit == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("2030-01-15T17:00:00Z: swept 1 mailbox(es)", line);
        Assert.Contains("0 failed", line);
    }

    [Theory]
    [InlineData("sweep")]
    [InlineData("sweep", "--once", "--now", "next tuesday")]
    [InlineData("sweep", "--once", "--now")]
    public async Task BadArgumentsGetOneLineAndExitTwo(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr);
    }
}
