using AzNf.Fuzz;

// aznf-fuzz TARGET            run under AFL (scripts/fuzz.sh): one input per execution on stdin
// aznf-fuzz TARGET FILE...    run the target on files (a crash found, replayed)
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: aznf-fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 64;
}
string target = args[0];
if (args.Length > 1)
{
    foreach (string file in args[1..])
    {
        FuzzTargets.Run(target, File.ReadAllBytes(file));
    }
    return 0;
}
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    FuzzTargets.Run(target, copy.ToArray());
});
return 0;
