# Appended to nginx's objs/Makefile: build the shim archive with its own
# Makefile whenever the module is linked.

cat << END                                            >> $NGX_MAKEFILE

$JSFN_SHIM_OUT/libjsfn.a: FORCE_JSFN_SHIM
	\$(MAKE) -C $JSFN_ADDON_DIR/shim V8_INC=$JSFN_V8_INC V8_LIB=$JSFN_V8_LIB OUT=$JSFN_SHIM_OUT \\
	    SAN_FLAGS="$JSFN_SAN_FLAGS"

FORCE_JSFN_SHIM:

END
