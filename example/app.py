import alpha
import gamma

print("example app runs with alpha", alpha.VERSION, "and gamma", gamma.VERSION)
