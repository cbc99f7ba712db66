"""The Python node host: connects to a gateway as ``role: "node"`` and runs the commands of the
node-capability plugins installed beside it."""
