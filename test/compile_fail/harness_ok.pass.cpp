// Control case for the compile-fail harness: *.pass.cpp files must compile.
int main() {}
