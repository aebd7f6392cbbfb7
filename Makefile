# microsnap's front door: two targets. Everything else lives in scripts/.
#   make demo   install what is missing, build, run the demo on a throw-away root
#   make check  install what is missing, build, run every test (unit, integration, fuzz replay,
#               format check, and the ASan+UBSan build's unit and fuzz tests)

.PHONY: demo check

demo:
	@scripts/setup.sh
	@scripts/demo.sh

check:
	@scripts/setup.sh
	@scripts/check.sh
