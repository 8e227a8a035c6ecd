// The floor under every start-up figure of tests/bench/startup.py: an exec that loads nothing and
// does nothing.
int main() { return 0; }
