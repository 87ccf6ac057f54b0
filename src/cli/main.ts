console.log("cli: not yet");
